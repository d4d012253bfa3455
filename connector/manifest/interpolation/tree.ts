/** Templates inside nested manifest structures (request parameters, headers, bodies). */

import { childPath } from '../errors';
import { compileTemplate } from './compile';
import type { InterpolationContext, Template, TemplateTree } from './types';
import { isMapping, toTemplateString } from './values';
import { ALL_VARIABLES, type Variables } from './variables';

// Constant subtrees collapse to one node, so rendering skips them and returns them as given.
type TreeNode =
  | { readonly k: 'constant'; readonly value: unknown }
  | { readonly k: 'template'; readonly template: Template }
  | { readonly k: 'list'; readonly items: readonly TreeNode[] }
  | { readonly k: 'map'; readonly entries: ReadonlyArray<{ readonly key: string | Template; readonly value: TreeNode }> };

/**
 * Compiles every string in a nested structure (e.g. `request_parameters`,
 * `request_headers`, `request_body_json`), keys included.
 *
 * @param value plain data from the manifest
 * @param path YAML path of `value`; each string's error names its own path
 * @param variables the variables the context provides (see compileTemplate)
 */
export function interpolateDeep(value: unknown, path: string, variables: Variables = ALL_VARIABLES): TemplateTree {
  const root = compileTree(value, path, variables);
  return {
    isConstant: root.k === 'constant',
    render: (context) => renderTree(root, context),
  };
}

function compileTree(value: unknown, path: string, variables: Variables): TreeNode {
  if (typeof value === 'string') {
    const template = compileTemplate(value, path, variables);
    return template.isConstant ? { k: 'constant', value } : { k: 'template', template };
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileTree(item, childPath(path, i), variables));
    return items.every((item) => item.k === 'constant') ? { k: 'constant', value } : { k: 'list', items };
  }
  if (isMapping(value)) {
    let constant = true;
    const entries = Object.entries(value).map(([key, item]) => {
      const itemPath = childPath(path, key);
      const keyTemplate = compileTemplate(key, itemPath, variables);
      const compiled = compileTree(item, itemPath, variables);
      if (!keyTemplate.isConstant || compiled.k !== 'constant') constant = false;
      return { key: keyTemplate.isConstant ? key : keyTemplate, value: compiled };
    });
    return constant ? { k: 'constant', value } : { k: 'map', entries };
  }
  return { k: 'constant', value };
}

function renderTree(node: TreeNode, context: InterpolationContext): unknown {
  switch (node.k) {
    case 'constant':
      return node.value;
    case 'template':
      return node.template.render(context);
    case 'list':
      return node.items.map((item) => renderTree(item, context));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const { key, value } of node.entries) {
        out[typeof key === 'string' ? key : toTemplateString(key.render(context))] = renderTree(value, context);
      }
      return out;
    }
  }
}

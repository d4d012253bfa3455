/**
 * What a source adds to the generic engine: its custom components by `class_name`, and what the
 * generic components need to know of the service (the wording of its errors, the query language
 * of its datetime cursor). Whoever builds the source injects them, so manifest/ names no service.
 */
import type { Config } from '../config/config';
import type { ErrorDescriber } from '../http/error-describer';
import type { HttpDeps, Renderable } from '../http/requester';
import type { Redactor } from '../protocol/redactor';
import type { CursorQuery } from '../streams/datetime-cursor';
import type { Variables } from './interpolation';
import type { ManifestNode } from './node';

/** What components are built with: the validated config, the injected I/O and the source's extensions. */
export interface FactoryDeps {
  config: Config;
  http: HttpDeps;
  redactor: Redactor;
  extensions: SourceExtensions;
}

/** What a custom component's creator may use of the factory that builds it. */
export interface ComponentBuilder {
  readonly deps: FactoryDeps;
  /** Builds the component at `node`; `allowed` restricts the types the slot accepts. */
  create<T>(node: ManifestNode, ...allowed: string[]): T;
  /** Builds the custom component at `node` (shared components once per identical definition). */
  custom(node: ManifestNode): unknown;
  /** The interpolation context a component's templates see: config and its own $parameters. */
  context(node: ManifestNode): Record<string, unknown>;
  /** A field's template, bound to the component's $parameters. */
  template(node: ManifestNode, key: string, variables?: Variables): Renderable;
  /** A mapping of templates, bound to the component's $parameters. */
  templateTree(node: ManifestNode, key: string, variables?: Variables): Renderable;
  /** Renders a field once with the config (values fixed for the whole run). */
  renderNow(node: ManifestNode, key: string): string;
}

/** Builds one custom component from its manifest node. */
export type CustomCreator = (node: ManifestNode, builder: ComponentBuilder) => unknown;

/** The service-specific parts a source brings to the engine. */
export interface SourceExtensions {
  /** `class_name` -> creator: what Airbyte's vocabulary cannot say. */
  components: Readonly<Record<string, CustomCreator>>;
  /**
   * Class names built once per identical definition, because they hold a per-run cache and
   * read only the config (never `parameters`, which differ per stream).
   */
  shared: ReadonlySet<string>;
  /** The customer wording of the service's errors, for the config in use (given to every HttpRequester). */
  describer(config: Config): ErrorDescriber;
  /** How a DatetimeBasedCursor's bound and order go into a request; a source without one has no such cursor. */
  cursorQuery?: CursorQuery;
}

/**
 * class_name -> TypeScript class: the one table of custom components, for what Airbyte's
 * vocabulary cannot say (MSAL auth, OData annotations, the organization detail merge, ...).
 */
import { CurrentOrganizationDetail } from '../dataverse/organization-detail';
import { ODataAnnotationRemover } from '../dataverse/odata-annotations';
import { MsalAuthenticator } from '../http/authenticator';
import type { HttpRequester } from '../http/requester';
import type { ComponentFactory } from './factory';
import type { ManifestNode } from './node';

export type CustomCreator = (node: ManifestNode, factory: ComponentFactory) => unknown;

export const CUSTOM_COMPONENTS: Readonly<Record<string, CustomCreator>> = {
  'source_dataverse.components.MsalClientCredentialsAuthenticator': (n, f) =>
    new MsalAuthenticator({
      orgUrl: f.renderNow(n, 'org_url'),
      tenantId: f.renderNow(n, 'tenant_id'),
      clientId: f.renderNow(n, 'client_id'),
      clientSecret: f.renderNow(n, 'client_secret'),
      authorityHost: f.renderNow(n, 'authority_host'),
      redactor: f.deps.redactor,
      fetch: f.deps.http.fetch,
      sleep: f.deps.http.sleep,
      now: f.deps.http.now,
      random: f.deps.http.random,
    }),
  'source_dataverse.components.ODataAnnotationRemover': () => new ODataAnnotationRemover(),
  'source_dataverse.components.CurrentOrganizationDetail': (n, f) => {
    const fields: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(n.record('fields'))) {
      fields[key] = Array.isArray(value) ? value.map(String) : String(value).split('.');
    }
    const endpoints: Record<string, string> = {};
    for (const [key, value] of Object.entries(n.optRecord('endpoint_fields') ?? {})) endpoints[key] = String(value);
    return new CurrentOrganizationDetail({
      requester: f.create<HttpRequester>(n.child('requester'), 'HttpRequester'),
      fields,
      endpointFields: endpoints,
    });
  },
};

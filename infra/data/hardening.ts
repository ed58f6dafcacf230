/**
 * Container hardening for the data services' third-party images, which run as their own (non-root) users.
 *
 * @example
 * const securityContext = dataContainerSecurity(999);
 */
export function dataContainerSecurity(uid: number, readOnlyRoot = true) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    readOnlyRootFilesystem: readOnlyRoot,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Pod settings for data services: no API token, no service links, volumes owned by the container's group.
 *
 * @example
 * const spec = { ...dataPodDefaults(999), containers };
 */
export function dataPodDefaults(uid: number) {
  return { automountServiceAccountToken: false, enableServiceLinks: false, securityContext: { fsGroup: uid } };
}

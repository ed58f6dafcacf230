/**
 * azure: an AKS cluster (system-assigned identity, OIDC issuer on) and Azure Database for PostgreSQL Flexible
 * Server 17. Object storage is MinIO in the cluster: Blob Storage does not speak the S3 API, and a gateway in front
 * of it would be one more moving part than a MinIO tenant on the cluster's managed disks.
 */
import * as containerservice from '@pulumi/azure-native/containerservice/index.js';
import * as dbforpostgresql from '@pulumi/azure-native/dbforpostgresql/index.js';
import * as resources from '@pulumi/azure-native/resources/index.js';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { secretPassword } from '../secrets.ts';
import { versionsOf, type Settings } from '../settings.ts';
import type { ClusterTarget, TargetInputs } from './types.ts';

/**
 * Creates the resource group, the AKS cluster and the PostgreSQL Flexible Server.
 *
 * @example
 * const target = azureTarget(settings, { dataSeed: config.requireSecret('dataSeed') });
 */
export function azureTarget(settings: Settings, inputs: TargetInputs): ClusterTarget {
  const { cluster: c, data } = settings;
  const versions = versionsOf(settings);
  const location = c.region ?? 'westeurope';
  const group = new resources.ResourceGroup('consilium', { location });
  const cluster = new containerservice.ManagedCluster('consilium', {
    resourceGroupName: group.name,
    location,
    dnsPrefix: 'consilium',
    kubernetesVersion: versions.kubernetes,
    identity: { type: 'SystemAssigned' },
    oidcIssuerProfile: { enabled: true },
    networkProfile: { networkPlugin: 'azure', networkPolicy: 'cilium', networkDataplane: 'cilium' },
    agentPoolProfiles: [{ name: 'system', mode: 'System', count: c.nodeCount, vmSize: c.nodeSize ?? 'Standard_D4s_v5', osType: 'Linux' }],
  });
  const credentials = containerservice.listManagedClusterUserCredentialsOutput({ resourceGroupName: group.name, resourceName: cluster.name });
  const kubeconfig = credentials.kubeconfigs.apply((k) => Buffer.from(k?.[0]?.value ?? '', 'base64').toString('utf8'));

  const password = secretPassword(inputs.dataSeed, 'postgres');
  const server = new dbforpostgresql.Server('postgres', {
    resourceGroupName: group.name,
    location,
    version: versions.postgres,
    administratorLogin: 'consilium',
    administratorLoginPassword: password,
    sku: { name: data.postgresTier ?? 'Standard_D2ds_v5', tier: 'GeneralPurpose' },
    storage: { storageSizeGB: Number.parseInt(data.postgresStorage, 10) < 32 ? 32 : Number.parseInt(data.postgresStorage, 10) },
    backup: { backupRetentionDays: 14, geoRedundantBackup: 'Disabled' },
    highAvailability: { mode: 'ZoneRedundant' },
  });
  const database = new dbforpostgresql.Database('consilium', { resourceGroupName: group.name, serverName: server.name, databaseName: 'consilium' });
  // Azure services only (the AKS egress); VNet integration is the stricter choice where the network team allows it.
  const firewall = new dbforpostgresql.FirewallRule('azure-services', {
    resourceGroupName: group.name,
    serverName: server.name,
    startIpAddress: '0.0.0.0',
    endIpAddress: '0.0.0.0',
  });
  const provider = new k8s.Provider('k8s-azure', { kubeconfig: pulumi.secret(kubeconfig), namespace: settings.namespace, enableServerSideApply: true });
  return {
    provider,
    database: { host: server.fullyQualifiedDomainName, port: 5432, database: 'consilium', user: 'consilium', password, dependsOn: [server, database, firewall] },
    oidcIssuer: cluster.oidcIssuerProfile.apply((p) => p?.issuerURL ?? ''),
    resources: [group, cluster, server],
  };
}

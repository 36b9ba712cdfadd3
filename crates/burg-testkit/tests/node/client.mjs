// An application written for ZITADEL, calling burg through ZITADEL's
// published Node client (@zitadel/node): gRPC over plain-text HTTP/2, first
// with a personal access token, then as a service account with its key file
// (the JWT profile grant, found through OpenID discovery). It prints what it
// got as one JSON object; the Rust test (it/zitadel_node.rs) checks it.
import {
  createAccessTokenInterceptor,
  createAdminClient,
  createManagementClient,
  createServiceAccountInterceptor,
} from '@zitadel/node/dist/api/index.js';
import { ServiceAccount } from '@zitadel/node/dist/credentials/index.js';
import { ClientError, Metadata } from 'nice-grpc';
import { readFileSync } from 'node:fs';

const base = process.env.BURG_BASE;
const withToken = createAccessTokenInterceptor(process.env.BURG_TOKEN);
const admin = createAdminClient(base, withToken);
const mgmt = createManagementClient(base, withToken);
const report = {};
const num = (long) => (long === undefined ? undefined : Number(long.toString()));

report.instanceId = (await admin.getMyInstance({})).instance?.id;
report.minLength = num((await admin.getPasswordComplexityPolicy({})).policy?.minLength);

const org = await admin.setUpOrg({
  org: { name: 'Node Org' },
  human: {
    userName: 'node-owner',
    profile: { firstName: 'Node', lastName: 'Owner' },
    email: { email: 'owner@node.example', isEmailVerified: true },
    password: 'Secr3t-Passw0rd!',
  },
});
report.orgId = org.orgId;
const inOrg = { metadata: Metadata({ 'x-zitadel-orgid': org.orgId }) };

const added = await mgmt.addHumanUser(
  {
    userName: 'node-ada',
    profile: { firstName: 'Ada', lastName: 'Lovelace', preferredLanguage: 'en' },
    email: { email: 'ada@node.example', isEmailVerified: true },
    initialPassword: 'Secr3t-Passw0rd!',
  },
  inOrg,
);
const user = (await mgmt.getUserByID({ id: added.userId }, inOrg)).user;
report.user = {
  id: user.id,
  userName: user.userName,
  state: user.state,
  displayName: user.human?.profile?.displayName,
  email: user.human?.email?.email,
  resourceOwner: user.details?.resourceOwner,
};
const listed = await mgmt.listUsers(
  { queries: [{ userNameQuery: { userName: 'node-', method: 2 /* TEXT_QUERY_METHOD_STARTS_WITH */ } }] },
  inOrg,
);
report.listed = {
  total: num(listed.details?.totalResult),
  userNames: listed.result.map((u) => u.userName).sort(),
};

const project = await mgmt.addProject({ name: 'Node Project' }, inOrg);
const app = await mgmt.addOIDCApp(
  {
    projectId: project.id,
    name: 'web',
    redirectUris: ['http://localhost:3000/callback'],
    responseTypes: [0],
    grantTypes: [0],
    appType: 0,
    authMethodType: 0,
  },
  inOrg,
);
const gotApp = (await mgmt.getAppByID({ projectId: project.id, appId: app.appId }, inOrg)).app;
report.app = {
  clientId: app.clientId,
  hasSecret: app.clientSecret.length > 0,
  name: gotApp?.name,
  redirectUris: gotApp?.oidcConfig?.redirectUris,
  clientIdRead: gotApp?.oidcConfig?.clientId,
};

try {
  await mgmt.getUserByID({ id: '1' }, inOrg);
  report.unknownUser = 'answered';
} catch (e) {
  report.unknownUser = e instanceof ClientError ? { code: e.code, details: e.details } : String(e);
}

const serviceAccount = ServiceAccount.fromJson(JSON.parse(readFileSync(process.env.BURG_KEY_FILE, 'utf8')));
const asAccount = createAdminClient(base, createServiceAccountInterceptor(base, serviceAccount, { apiAccess: true }));
report.serviceAccountInstanceId = (await asAccount.getMyInstance({})).instance?.id;

console.log(JSON.stringify(report));

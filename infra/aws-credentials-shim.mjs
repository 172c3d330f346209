// Lambda hands a function its role's credentials in environment variables, always, so the
// AWS SDK's default provider chain (SSO, shared ini files, credential processes, web identity,
// container and instance metadata, and the STS/SSO clients they need: about 130 KB minified
// per bundle) is replaced at bundling time by the environment provider alone. The local stack
// passes its credentials the same way (scripts/local/stack.ts, scripts/local/lambda-runtime.ts).
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Same signature as @aws-sdk/credential-provider-node's defaultProvider. */
export const defaultProvider = (init = {}) => fromEnv(init);

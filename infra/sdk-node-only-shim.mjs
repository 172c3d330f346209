// Replaces three parts of @smithy/core in the function bundles (infra/build-function.mjs) that a
// Lambda function never runs, about 8 KB minified in every bundle:
//
// - Sha256Js, the pure-JavaScript SHA-256 the Node hash falls back to when node:crypto has no
//   sha256 (it always has; the browser's WebCrypto path is not bundled for Node either);
// - getInstanceMetadataRegion, the EC2 instance metadata lookup of the region when AWS_REGION is
//   not set (Lambda always sets AWS_REGION and AWS_EXECUTION_ENV, so the lookup never runs);
// - AdaptiveRetryStrategy and its rate limiter, used only with AWS_RETRY_MODE=adaptive; the
//   functions use the standard mode.
//
// Each replacement fails loudly, or answers as the original does when it finds nothing.

const notBundled = (what) => {
  throw new Error(`${what} is not bundled in this function (infra/build-function.mjs).`);
};

/** Never constructed: Sha256Node uses node:crypto, which always has sha256. */
export class Sha256Js {
  constructor() {
    notBundled('The JavaScript SHA-256 fallback');
  }
}

/** As the original answers when there is no instance metadata service (not on EC2). */
export const getInstanceMetadataRegion = async () => undefined;

/** Only for AWS_RETRY_MODE=adaptive, which no function is configured with. */
export class AdaptiveRetryStrategy {
  constructor() {
    notBundled('The adaptive retry mode (AWS_RETRY_MODE=adaptive)');
  }
}

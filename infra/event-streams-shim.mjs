// Replaces @smithy/core/event-streams in the function bundles (infra/build-function.mjs):
// none of the operations the functions send has an event-stream member, so the codec and
// serde (about 15 KB minified) are never run. S3's client still asks for a marshaller when
// it is constructed; it gets one that fails loudly if an event stream ever reaches it.

const unavailable = () => {
  throw new Error(
    'Event streams are not bundled in this function (infra/build-function.mjs): ' +
      'an operation with an event-stream member needs them back.',
  );
};

/** Same shape as the SDK's: the marshaller a client would use for event-stream members. */
export const eventStreamSerdeProvider = () => ({ serialize: unavailable, deserialize: unavailable });

/** The SDK's config resolver, unchanged (S3Client calls it at construction). */
export const resolveEventStreamSerdeConfig = (input) =>
  Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });

/** Loaded by a protocol only to (de)serialize an event stream. */
export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

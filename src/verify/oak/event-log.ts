import type { Evidence } from "../../schema/oak/gen/proto/attestation/evidence_pb.js";
import { EventSchema, Stage0MeasurementsSchema, type Stage0Measurements } from "../../schema/oak/gen/proto/attestation/eventlog_pb.js";
import { ApplicationLayerDataSchema, ContainerLayerDataSchema, SystemLayerDataSchema, type ApplicationLayerData, type ContainerLayerData, type SystemLayerData } from "../../schema/oak/gen/proto/attestation/verification_pb.js";
import { decodeMessage, unpackAny } from "./proto.js";
import { OakInputError } from "./errors.js";

/** What the event log says each layer measured, typed by the event payloads (Oak's `extract_evidence_values`). */
export type EventLogValues =
  | { readonly kind: "oak_containers"; readonly stage0: Stage0Measurements; readonly system: SystemLayerData; readonly container: ContainerLayerData }
  | { readonly kind: "oak_restricted_kernel"; readonly stage0: Stage0Measurements; readonly application: ApplicationLayerData };

const TYPE_PREFIX = "type.googleapis.com/";

/**
 * Decodes the event log: Oak Containers (Stage0Measurements, SystemLayerData, ContainerLayerData)
 * or the restricted kernel (Stage0Measurements, ApplicationLayerData). Other layouts (CB, legacy
 * Stage1/Orchestrator measurements, no event log) are refused as input reftrail cannot verify.
 */
export function readEventLog(evidence: Evidence): EventLogValues {
  const encoded = evidence.eventLog?.encodedEvents ?? [];
  const events = encoded.map((bytes, i) => {
    const event = decodeMessage(EventSchema, bytes, `event_log.encoded_events[${i}]`);
    if (event.event === undefined || !event.event.typeUrl.startsWith(TYPE_PREFIX)) {
      throw new OakInputError("OAK_PROTOBUF", `event_log.encoded_events[${i}]: the event's payload has no ${TYPE_PREFIX} type`);
    }
    return { tag: event.tag, any: event.event, what: `event_log.encoded_events[${i}] (${event.tag})` };
  });
  const types = events.map((e) => e.any.typeUrl.slice(TYPE_PREFIX.length));
  const stage0 = (i: number) => unpackAny(events[i]!.any, Stage0MeasurementsSchema, events[i]!.what);
  if (types.length === 3 && types[0] === Stage0MeasurementsSchema.typeName && types[1] === SystemLayerDataSchema.typeName && types[2] === ContainerLayerDataSchema.typeName) {
    return {
      kind: "oak_containers",
      stage0: stage0(0),
      system: unpackAny(events[1]!.any, SystemLayerDataSchema, events[1]!.what),
      container: unpackAny(events[2]!.any, ContainerLayerDataSchema, events[2]!.what),
    };
  }
  if (types.length === 2 && types[0] === Stage0MeasurementsSchema.typeName && types[1] === ApplicationLayerDataSchema.typeName) {
    return { kind: "oak_restricted_kernel", stage0: stage0(0), application: unpackAny(events[1]!.any, ApplicationLayerDataSchema, events[1]!.what) };
  }
  throw new OakInputError("OAK_PROTOBUF", `event_log: events of types [${types.join(", ") || "none"}] are neither an Oak Containers nor a restricted-kernel event log`);
}

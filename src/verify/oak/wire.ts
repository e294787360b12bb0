import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";

/**
 * protobuf-es decodes leniently where a verifier must not: it does not check that a field's wire
 * type fits its declared type, and a nested message whose length ends inside its last field is
 * read past that length. This pass walks the encoding against the schema first and names the
 * first field that does not fit; only then is the message decoded.
 */

function scalarWireType(scalar: ScalarType): WireType {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    default:
      return WireType.Varint;
  }
}

type Value = { readonly kind: "scalar"; readonly scalar: ScalarType } | { readonly kind: "enum" } | { readonly kind: "message"; readonly message: DescMessage };

/** Reads one value of `value`'s type with wire type `wire`, or says why it cannot. */
function readValue(reader: BinaryReader, wire: WireType, value: Value, path: string): void {
  const expected = value.kind === "message" ? WireType.LengthDelimited : value.kind === "enum" ? WireType.Varint : scalarWireType(value.scalar);
  if (wire !== expected) throw new Error(`${path} has wire type ${wire}, expected ${expected}`);
  if (value.kind === "message") checkWire(value.message, reader.bytes(), path);
  else if (value.kind === "scalar" && value.scalar === ScalarType.STRING) reader.string(true);
  else reader.skip(wire);
}

function elementOf(field: DescField): Value {
  if (field.fieldKind === "message") return { kind: "message", message: field.message };
  if (field.fieldKind === "enum") return { kind: "enum" };
  if (field.fieldKind === "scalar") return { kind: "scalar", scalar: field.scalar };
  if (field.fieldKind === "list") return field.listKind === "message" ? { kind: "message", message: field.message } : field.listKind === "enum" ? { kind: "enum" } : { kind: "scalar", scalar: field.scalar };
  throw new Error("map fields have entries, not elements");
}

function readMapEntry(field: Extract<DescField, { fieldKind: "map" }>, bytes: Uint8Array, path: string): void {
  const reader = new BinaryReader(bytes);
  const value: Value = field.mapKind === "message" ? { kind: "message", message: field.message } : field.mapKind === "enum" ? { kind: "enum" } : { kind: "scalar", scalar: field.scalar };
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    if (no === 1) readValue(reader, wire, { kind: "scalar", scalar: field.mapKey }, `${path} key`);
    else if (no === 2) readValue(reader, wire, value, `${path} value`);
    else throw new Error(`${path} has an entry field ${no}`);
  }
}

/** Throws an Error naming the first field whose encoding does not fit `schema`; every length must end exactly. */
export function checkWire(schema: DescMessage, bytes: Uint8Array, path: string = schema.name): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [no, wire] = reader.tag();
    const field = schema.fields.find((f) => f.number === no);
    const where = `${path}.${field?.name ?? no}`;
    if (field === undefined) {
      reader.skip(wire, no); // unknown fields are refused after decoding, with their path
      continue;
    }
    if (field.fieldKind === "map") {
      if (wire !== WireType.LengthDelimited) throw new Error(`${where} has wire type ${wire}, expected ${WireType.LengthDelimited}`);
      readMapEntry(field, reader.bytes(), where);
      continue;
    }
    const element = elementOf(field);
    // A packed repeated number: a length-delimited run of values, ending exactly at its length.
    if (field.fieldKind === "list" && element.kind !== "message" && wire === WireType.LengthDelimited && !(element.kind === "scalar" && scalarWireType(element.scalar) === WireType.LengthDelimited)) {
      const packed = new BinaryReader(reader.bytes());
      const each = element.kind === "enum" ? WireType.Varint : scalarWireType(element.scalar);
      while (packed.pos < packed.len) packed.skip(each);
      if (packed.pos !== packed.len) throw new Error(`${where}: packed values overrun their length`);
      continue;
    }
    readValue(reader, wire, element, where);
  }
  if (reader.pos !== reader.len) throw new Error(`${path}: the last field overruns the message's length`);
}

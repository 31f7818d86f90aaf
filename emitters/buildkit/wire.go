package buildkit

// The protobuf wire format of BuildKit's solver/pb messages, written by
// hand: envc's graphs use a handful of fields, and writing them directly
// keeps the protobuf runtime (and its start-up cost) out of `envc compile`.
// Fields are written in field-number order and map entries sorted by key,
// as Go's protobuf marshals with Deterministic set, so that the bytes (and
// the op digests) are those BuildKit's own client would write. The golden
// llb.pb files and the read-back tests (package llbread, which decodes with
// BuildKit's generated code) hold this to account.

const (
	wireVarint = 0
	wireBytes  = 2
)

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendTag(b []byte, field int, wire int) []byte {
	return appendVarint(b, uint64(field)<<3|uint64(wire))
}

// appendString writes a string field, or nothing for "" (proto3).
func appendString(b []byte, field int, s string) []byte {
	if s == "" {
		return b
	}
	return appendStringAlways(b, field, s)
}

// appendStringAlways writes a string field even when empty (an element
// of a repeated field, a map key or value).
func appendStringAlways(b []byte, field int, s string) []byte {
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendMessage writes an embedded message field from its bytes (written
// even when empty: a set message field is present).
func appendMessage(b []byte, field int, msg []byte) []byte {
	b = appendTag(b, field, wireBytes)
	b = appendVarint(b, uint64(len(msg)))
	return append(b, msg...)
}

// appendInt writes an int32 or int64 field (negative values as ten-byte
// varints, as protobuf does), or nothing for 0.
func appendInt(b []byte, field int, v int64) []byte {
	if v == 0 {
		return b
	}
	b = appendTag(b, field, wireVarint)
	return appendVarint(b, uint64(v))
}

// appendBool writes a bool field, or nothing for false.
func appendBool(b []byte, field int, v bool) []byte {
	if !v {
		return b
	}
	b = appendTag(b, field, wireVarint)
	return append(b, 1)
}

package builder

// BuildKit's gRPC codec, as buildctl and buildkitd register it: it
// unmarshals BuildKit's messages with their generated vtproto code and
// merges into the message it is given rather than resetting it. The
// file sync of a session (an exported archive or folder, a build
// context) receives every chunk into one reused message, so its buffer
// is reused too; with gRPC's default codec each chunk was a new
// allocation, and exporting a 60 MB image ran the garbage collector
// twenty times more often than buildctl did for the same export.
import _ "github.com/moby/buildkit/util/grpcutil/encoding/proto"

// Package readback is the registry of the targets' readers, beside the
// registry of their writers (emitters/targets): for each target, the
// function that reads its files back into the effective view
// (effective.ReadFunc), and the programs that function runs.
//
// Tests and tools iterate All instead of naming targets, so a new target
// is checked everywhere once it registers its reader here.
//
// It links every reader, BuildKit's generated protobuf code and
// compose-go among them, so the envc command does not import it.
package readback

#pragma once
// The small device API the cuda module's runtime (runtime.hpp) is written over: device and
// pinned memory, streams and events, asynchronous copies. The real module implements it with
// the CUDA runtime (device_api_cuda.cu); the test suite's emulated module implements it on host
// memory (tests/emulated_cuda/device_api_host.cpp), so the runtime's pools, workers, staging,
// call flow and timing are the same code in both. No CUDA header here.
//
// Failures throw ModuleFailure (module_api.hpp) naming the failed call; a sticky one (the
// device context is lost) says so. Out of memory is not a failure where the caller can recover:
// device_alloc and pinned_alloc return null for it.
#include <cstddef>
#include <string>

namespace tandem::cuda::dev {

struct StreamImpl;
struct EventImpl;
using Stream = StreamImpl*;
using Event = EventImpl*;

/// Finds the device and prepares it; returns "" or why it cannot be used.
std::string open();
/// One line describing the device.
std::string describe();

/// The device the module runs on, the calling thread's current device, and making one current
/// (the module saves and restores the caller's: DeviceScope).
int module_device() noexcept;
int current_device();
void set_device(int device);
void restore_device(int device) noexcept;

/// Device memory (aligned as cudaMalloc), or null when the device is out of memory; bytes > 0.
void* device_alloc(std::size_t bytes);
void device_free(void* p) noexcept;
/// Page-locked host memory for staging, or null when out of memory.
void* pinned_alloc(std::size_t bytes);
void pinned_free(void* p) noexcept;
/// " (N MiB free of M MiB)" for an out-of-memory message, or "".
std::string free_memory_note();

/// A stream that does not synchronise with the legacy default stream; events (`timing`: usable
/// for elapsed()). Both live for the life of the process.
Stream stream_create();
Event event_create(bool timing);
void record(Event e, Stream s);
/// The stream's later work waits (on the device) for the event's last record.
void stream_wait_event(Stream s, Event e);
/// The host waits for the event / for all the stream's work; stream_wait then reports any
/// error of that work (a faulted kernel: sticky).
void event_wait(Event e);
void stream_wait(Stream s);
/// After a failure part-way: waits for the stream's queued work, swallowing errors.
void stream_drain(Stream s) noexcept;
/// Seconds between two recorded timing events.
double elapsed(Event from, Event to);

enum class Copy { host_to_device, device_to_host, device_to_device };
/// Asynchronous on the stream (host memory must be pinned for host_to_device/device_to_host).
void copy_async(void* dst, const void* src, std::size_t bytes, Copy kind, Stream s);
/// Zero-fills on the stream.
void zero_async(void* p, std::size_t bytes, Stream s);

}  // namespace tandem::cuda::dev

#pragma once
// BusyLearner: for one call shape, whether a parallel team is worth its fork-join while other
// processes hold the cores. A team waits for every thread to be scheduled, so on busy cores a
// parallel call can take many times its usual time, and the calls of one shape alternate
// between fast and very slow ones. What a caller pays is the mean, so the learner keeps a moving
// average of the parallel calls' times over about the last 16 (weight 1/16 on the newest: one
// call of 30 times the usual lifts it to 2.8 times, one preemption to 3 times to 1.125 times)
// and compares it with the fallback (a team of one thread), as measured while backing off.
// A rare slow call thus counts as much as it costs on average, not as a verdict on the shape.
//
// The parallel choice is slow when its average is over 1.5 times what the fallback takes and
// either over 1.5 times its fastest call so far or over 8 times the cost model's prediction, and at
// least two of its last 32 calls were slow in the same sense and by half a millisecond or more, as
// a scheduler slice is (the first counted call of a shape and a probe decide alone). Idle cores of
// a virtual machine stall a thread for 0.1-0.2 ms at timer ticks and for milliseconds now and
// then: with one slow call enough, the team of an idle machine spent up to half its calls
// backing off. The fastest call
// shows the idle cost when some calls are fast; on busy cores every call of a small team can
// take a scheduler slice (8-16 ms against microseconds), and then only the prediction tells, but
// with a margin wide enough for a model that is off by a few times, and only for calls predicted
// under a millisecond: a calibration measured on cache-resident sizes predicts a memory-bound
// call of 2 GiB at an eighth of its time, and a long call loses a bounded share to a slice
// anyway (its slow calls are told by its fastest one). Then the shape runs the
// fallback for a period (20 ms, doubling with each backoff in a row up to 640 ms; the first
// backoff of a shape is a trial of 2 ms, which measures one thread: until then its time is a
// prediction, and one thread of a call that fits the team's caches but not one core's can take 4
// times the team's, so that backing off on a false alarm costs more than the stall); then the
// parallel choice is probed again: the probe starts a fresh average, and a slow probe backs off at
// once. The first call of a shape and the first after a backoff are not counted: a team that has
// not run for a while wakes its threads, which on busy cores waits for them to be scheduled, so
// that call says nothing of the next ones. A choice that is slower than predicted on idle cores too
// stays while it takes under 1.5 times the fallback as measured. The periods return to 20 ms once
// the parallel choice has run a whole period without backing off.
//
// Pure bookkeeping over times passed in (no clock of its own), so its rules are tested with
// made-up timings (tests/busy_learner_test.cpp); dispatch.cpp feeds it real ones.
#include <algorithm>
#include <bit>
#include <cstdint>

namespace tandem::detail {

class BusyLearner {
 public:
  static constexpr std::int64_t kFirstPeriodNs = 20'000'000;  // 20 ms
  static constexpr int kMaxDoublings = 5;                     // 20 ms << 5 = 640 ms
  static constexpr std::int64_t kTrialNs = 2'000'000;         // 2 ms: the first backoff
  static constexpr double kWeight = 1.0 / 16;                 // of the newest call
  static constexpr double kSliceSeconds = 0.5e-3;             // a slow call waits this long
  static constexpr double kShortCallSeconds = 1e-3;           // the prediction tells below

  BusyLearner() = default;
  /// `predicted`: the parallel choice's predicted seconds on idle cores; `fallback_predicted`:
  /// the fallback's, used until it has been measured.
  BusyLearner(double predicted, double fallback_predicted) noexcept
      : predicted_(predicted), fallback_(fallback_predicted) {}

  /// Whether the call starting at `now_ns` runs the fallback. The first call after a period
  /// ends is the probe of the parallel choice.
  bool backing_off(std::int64_t now_ns) noexcept {
    if (until_ns_ == 0) return false;
    if (now_ns < until_ns_) return true;
    until_ns_ = 0;
    cold_ = true;
    probing_ = true;
    return false;
  }

  /// A call of the parallel choice that took `seconds`, ending at `now_ns`.
  void observe_parallel(double seconds, std::int64_t now_ns) noexcept {
    if (cold_) {
      cold_ = false;
      return;
    }
    const bool fresh = probing_ || calls_ == 0;
    if (fresh) {
      average_ = seconds;  // a probe starts afresh: the load may have gone
    } else {
      average_ += kWeight * (seconds - average_);
    }
    // A slow call waited for a scheduler slice: slow, and half a millisecond or more over the
    // fastest call (or the prediction). Idle cores stall a thread for 0.1-0.2 ms at every timer
    // tick of a virtual machine: those are not load.
    const double usual = calls_ > 0 ? best_ : predicted_;
    const bool slow_call = slow_against(seconds, calls_ > 0) && seconds - usual >= kSliceSeconds;
    slow_calls_ = slow_calls_ << 1 | (slow_call ? 1u : 0u);
    best_ = calls_ == 0 ? seconds : std::min(best_, seconds);
    ++calls_;
    const bool was_probe = probing_;
    probing_ = false;
    if (slow_against(average_, true) && (fresh || std::popcount(slow_calls_) >= 2)) {
      back_off(now_ns);
      return;
    }
    if (was_probe) resumed_ns_ = now_ns;
    // A whole period without backing off: the machine is calm again.
    if (backoffs_ > 0 && resumed_ns_ != 0 && now_ns - resumed_ns_ > period_ns()) {
      backoffs_ = 0;
      resumed_ns_ = 0;
    }
  }

  /// A call of the fallback, run while backing off, that took `seconds`.
  void observe_fallback(double seconds) noexcept {
    fallback_ = fallback_measured_ ? fallback_ + kWeight * (seconds - fallback_) : seconds;
    fallback_measured_ = true;
  }

  /// The parallel choice's moving average (seconds), and the fallback's estimate.
  double average() const noexcept { return average_; }
  double fallback() const noexcept { return fallback_; }
  /// The parallel choice's fastest counted call (seconds; 0 before any) and its prediction.
  double best() const noexcept { return best_; }
  double predicted() const noexcept { return predicted_; }
  /// Backoffs in a row so far (0: calm); the current period is 20 ms << (backoffs - 1).
  int backoffs() const noexcept { return backoffs_; }
  std::int64_t until_ns() const noexcept { return until_ns_; }

 private:
  // Whether `seconds` is slow: over 1.5 times the fallback, and over 1.5 times the fastest call
  // (when `against_best`) or, for a short call, 8 times the prediction.
  bool slow_against(double seconds, bool against_best) const noexcept {
    return seconds > 1.5 * fallback_ &&
           ((against_best && seconds > 1.5 * best_) ||
            (predicted_ < kShortCallSeconds && seconds > 8.0 * predicted_));
  }
  std::int64_t period_ns() const noexcept {
    return kFirstPeriodNs << std::clamp(backoffs_ - 1, 0, kMaxDoublings);
  }
  void back_off(std::int64_t now_ns) noexcept {
    if (!fallback_measured_) {  // a trial: one thread's time is only predicted so far
      until_ns_ = now_ns + kTrialNs;
      resumed_ns_ = 0;
      return;
    }
    backoffs_ = std::min(backoffs_ + 1, kMaxDoublings + 1);
    until_ns_ = now_ns + period_ns();
    resumed_ns_ = 0;
  }

  double predicted_ = 0;
  double best_ = 0;
  double fallback_ = 0;
  double average_ = 0;
  long long calls_ = 0;
  std::uint32_t slow_calls_ = 0;  // the last 32 counted calls, newest lowest: 1 = slow
  int backoffs_ = 0;
  std::int64_t until_ns_ = 0;    // backing off until then, or 0
  std::int64_t resumed_ns_ = 0;  // when the parallel choice last resumed after a probe
  bool cold_ = true;             // the next parallel call wakes the team: not counted
  bool probing_ = false;
  bool fallback_measured_ = false;
};

}  // namespace tandem::detail

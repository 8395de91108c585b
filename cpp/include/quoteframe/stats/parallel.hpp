// A small work-sharing loop on std::thread for the resampling routines.
//
// Contract: fn(item, worker) is called exactly once for every item in
// [0, n_items), by worker threads numbered [0, workers). Items are handed out
// in increasing order through an atomic counter, so which thread runs which
// item varies between runs: fn must make its result depend on `item` only
// (use Rng(seed, item), write to a slot owned by the item, keep scratch per
// worker). The calling thread is worker 0.
//
// Errors: the first exception thrown by any worker stops the hand-out of new
// items and is rethrown on the calling thread after all threads have joined.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace quoteframe::stats {

// The number of workers to use: `requested`, or the hardware concurrency when
// it is 0; never more than `n_items`, never less than 1.
inline unsigned resolve_threads(unsigned requested, std::size_t n_items) {
  unsigned n = requested;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  if (n_items < n) n = static_cast<unsigned>(std::max<std::size_t>(1, n_items));
  return n;
}

template <class Fn>
void parallel_for(std::size_t n_items, unsigned workers, Fn&& fn) {
  if (n_items == 0) return;
  workers = resolve_threads(workers, n_items);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto run = [&](unsigned worker) {
    try {
      for (;;) {
        if (failed.load(std::memory_order_relaxed)) return;
        const std::size_t item = next.fetch_add(1, std::memory_order_relaxed);
        if (item >= n_items) return;
        fn(item, worker);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed.store(true, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  try {
    for (unsigned w = 1; w < workers; ++w) threads.emplace_back(run, w);
  } catch (const std::system_error&) {
    // The system refused another thread: the ones already started (and the
    // caller) share the items; results do not depend on the thread count.
  }
  run(0);
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace quoteframe::stats

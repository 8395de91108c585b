// The portable pseudo-random generator used by every resampling routine.
//
// Why not <random>: the engines are portable but the distributions
// (std::uniform_int_distribution, std::shuffle) are not; libstdc++, libc++ and
// MSVC turn the same engine output into different numbers. Every step below
// is specified here, so the same seed gives the same numbers on every
// platform and a result can be reproduced from (seed, stream) alone.
//
// Algorithms (public domain reference designs by Vigna and Blackman):
//   SplitMix64: state += 0x9E3779B97F4A7C15; z = state;
//               z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
//               z = (z ^ (z >> 27)) * 0x94D049BB133111EB;  return z ^ (z >> 31).
//   xoshiro256**: result = rotl(s1 * 5, 7) * 9; t = s1 << 17; s2 ^= s0;
//               s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 45).
// Seeding: Rng(seed) fills s0..s3 with four successive SplitMix64 outputs of a
// generator started at `seed`. Rng(seed, stream) does the same from the start
// value mix64(seed) ^ mix64(~stream), where mix64 is the SplitMix64 output
// function without the increment. Each replicate of a resampling routine uses
// its own stream, so results do not depend on how replicates are spread over
// threads.
#pragma once

#include <cstdint>

namespace quoteframe::stats {

// The SplitMix64 output function (a bijection of 64-bit integers).
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class SplitMix64 {
 public:
  explicit constexpr SplitMix64(std::uint64_t seed) noexcept : state_(seed) {}
  constexpr std::uint64_t next() noexcept {
    state_ += 0x9E3779B97F4A7C15ULL;
    return mix64(state_);
  }

 private:
  std::uint64_t state_;
};

// xoshiro256** with the seeding described above. Not thread-safe: give each
// thread (better: each replicate) its own instance.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept { fill(seed); }
  Rng(std::uint64_t seed, std::uint64_t stream) noexcept { fill(mix64(seed) ^ mix64(~stream)); }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform integer in [0, n); n must be >= 1. For n <= 2^32 this is Lemire's
  // multiply-and-reject method on the top 32 bits of one output:
  //   x = next() >> 32; m = x * n; accept when (m mod 2^32) >= (2^32 - n) mod n;
  //   return m >> 32.
  // (The cheap test (m mod 2^32) >= n accepts first; the modulo is computed
  // only when needed.) For larger n: draw r = next() until r >= (2^64 - n) mod n,
  // return r mod n. Both are exactly uniform.
  std::uint64_t below(std::uint64_t n) noexcept {
    if (n <= (std::uint64_t{1} << 32)) {
      std::uint64_t m = (next() >> 32) * n;
      if ((m & 0xFFFFFFFFULL) < n) {
        const std::uint64_t threshold = ((std::uint64_t{1} << 32) - n) % n;
        while ((m & 0xFFFFFFFFULL) < threshold) m = (next() >> 32) * n;
      }
      return m >> 32;
    }
    const std::uint64_t threshold = (std::uint64_t{0} - n) % n;
    std::uint64_t r = next();
    while (r < threshold) r = next();
    return r % n;
  }

  // Uniform double in [0, 1): the top 53 bits of one output times 2^-53.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
    return (x << k) | (x >> (64 - k));
  }
  void fill(std::uint64_t start) noexcept {
    SplitMix64 sm(start);
    for (auto& word : s_) word = sm.next();
  }
  std::uint64_t s_[4];
};

}  // namespace quoteframe::stats

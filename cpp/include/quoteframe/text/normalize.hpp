// Normalisation for matching.
//
// quoteframe never matches on raw surface forms: tokens, codebook patterns
// and lexicon entries all pass through the same fold, so an analyst's
// pattern "l'Occident" finds "L’Occident", "ﻻ" finds "لا", "légalité" finds
// "LÉGALITÉ". The fold, in order:
//   1. typographic apostrophes (’ ‘ ʼ ′ ` ´ ＇) become ', quotation marks
//      (« » “ ” „ ‹ › 「 」 ＂ …) become ", dashes and minus become -;
//   2. NFKC with case folding (ICU's NFKC_Casefold): compatibility forms,
//      Arabic presentation forms, ligatures, full-width letters, and
//      removal of default-ignorable characters (bidi controls, zero-width
//      joiners and spaces, soft hyphens);
//   3. Arabic orthography: harakat, Quranic marks and tatweel removed;
//      أ إ آ ٱ → ا; ى → ي; ة → ه; Persian/Urdu ک ی ے ہ ۀ ە ھ → ك ي ي ه ه ه ه.
// The fold never changes where a token is: callers keep the original span.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <unicode/unistr.h>

U_NAMESPACE_BEGIN
class Normalizer2;
U_NAMESPACE_END

namespace quoteframe::text {

class Folder {
 public:
  // Looks up ICU's shared NFKC_Casefold instance (owned by ICU, immutable,
  // safe to share across threads). Throws IcuError when ICU data is missing.
  Folder();

  // Appends the fold of UTF-16 `s[0, len)` to `out`. `scratch` is reused
  // between calls to avoid allocation. Thread-safe (const, no shared state).
  void fold(const char16_t* s, int32_t len, std::u16string& out,
            icu::UnicodeString& scratch) const;

  // Convenience: the fold of UTF-8 `s` as UTF-8. `s` must be valid UTF-8.
  std::string fold_utf8(std::string_view s) const;

  // One shared instance (function-local static: thread-safe construction).
  static const Folder& shared();

 private:
  const icu::Normalizer2* nfkc_cf_;
};

// The whole-text fold with a map back to the original.
struct Normalized {
  std::string text;              // the folded text, UTF-8
  std::vector<int32_t> to_orig;  // per code point of `text`: the code point
                                 // offset in the original it came from;
                                 // one extra final entry = original length
};

// Folds `utf8` (valid UTF-8) segment by segment, so that each output code
// point maps to the original code point that produced it (for a composed
// or decomposed cluster, the start of the cluster).
Normalized normalize_with_map(std::string_view utf8);

// The single-code-point maps of steps 1 and 3 (exposed for tests).
// Returns the replacement, or -1 when the code point is deleted.
int32_t premap_char(int32_t c) noexcept;
int32_t postmap_char(int32_t c) noexcept;

}  // namespace quoteframe::text

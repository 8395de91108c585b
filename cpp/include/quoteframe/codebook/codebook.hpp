// The codebook: what an analyst declares about one study (the sides, the
// actors who speak, the news agencies that relay them, the targets quotes talk
// about, the frames and extra evaluative words), loaded from a TOML file and
// validated in full before any text is read. The format is documented in
// docs/codebook_format.md.
//
// These are plain data. Patterns stay the strings the analyst wrote (trimmed
// of surrounding whitespace); the text layer compiles them. Every item keeps
// the line it was declared on, so results can be traced back to the file.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace quoteframe::codebook {

// Limits on what a codebook may contain (all checked on load).
inline constexpr std::size_t kMaxPatternChars = 200;     // code points in one pattern
inline constexpr std::size_t kMaxPatternWords = 12;      // whitespace-separated words
inline constexpr std::size_t kMaxPatterns = 200'000;     // all surface forms and patterns together
inline constexpr std::size_t kMaxIdBytes = 64;

// A language code -> entries map; codes are those declared in `languages`.
template <class T>
using PerLanguage = std::map<std::string, std::vector<T>>;

struct Side {
  std::string id, label;
  int line = 0;
};

enum class Gender { Unknown, Female, Male, Plural };

struct Actor {
  std::string id, label;
  std::string side;  // a Side id, or "" for an actor outside every side
  std::string kind;  // person | organisation | country | group | media
  Gender gender = Gender::Unknown;
  std::vector<std::string> roles;  // role ids such as "spokesperson"
  // Surface forms that name the actor; a trailing '*' on a word is a prefix
  // wildcard ("Zakharov*").
  PerLanguage<std::string> names;
  // Role phrases that designate this actor alone ("the CSTO secretary general").
  PerLanguage<std::string> descriptions;
  int line = 0;
};

// A news agency that relays quotes: credited as the source, never the speaker.
struct Medium {
  std::string id, label;
  PerLanguage<std::string> names;
  int line = 0;
};

struct Pattern {
  std::string text;     // trimmed; a trailing '*' on a word is a prefix wildcard
  double weight = 1.0;  // finite and >= 0 (`strength` in lexicon entries)
  int line = 0;
};

// What a quote talks about (an event, a mission, a policy).
struct Target {
  std::string id, label;
  PerLanguage<Pattern> patterns;
  int line = 0;
};

struct Frame {
  std::string id, label, description;
  PerLanguage<Pattern> patterns;
  int line = 0;
};

struct Codebook {
  std::string name;         // [a-z0-9_-]+
  std::string title, description;
  std::string source;       // the file path, or the source name given to parse_codebook
  std::vector<std::string> languages;  // declared language codes, in file order
  std::string default_target;          // a Target id, or ""
  std::vector<Side> sides;
  std::vector<Actor> actors;
  std::vector<Medium> media;
  std::vector<Target> targets;
  std::vector<Frame> frames;
  // Additions to each language's general evaluative lexicon.
  PerLanguage<Pattern> positive, negative;
  // The TOML text this codebook was parsed from, so that it can be re-created
  // exactly (pickling ships the text, not the structs).
  std::string toml_text;

  // Lookups by id; nullptr when absent. Linear scans (codebooks are small
  // and these serve reporting, not matching loops).
  const Side* find_side(std::string_view id) const;
  const Actor* find_actor(std::string_view id) const;
  const Target* find_target(std::string_view id) const;
  const Frame* find_frame(std::string_view id) const;
};

// "unknown", "female", "male", "plural".
const char* gender_name(Gender gender);

// Reads and validates the codebook at `path` (which becomes `source` and the
// file name in messages). Throws quoteframe::ConfigError
// "<path>:<line>: <field>: <problem>" for any I/O, syntax or schema problem;
// nothing is returned half-validated.
Codebook load_codebook(const std::string& path);

// The same from TOML text; `source_name` (e.g. "<string>") names it in
// messages and in Codebook::source. The text is copied into toml_text.
Codebook parse_codebook(std::string_view toml_text, const std::string& source_name);

}  // namespace quoteframe::codebook

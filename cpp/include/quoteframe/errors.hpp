// The exception types of the quoteframe core.
//
// Every error the core raises derives from one of these, so callers (the
// Python bindings, the CLI, the tests) can tell bad input from bad
// configuration from internal failures. The bindings map each type to exactly
// one Python exception type (see cpp/bindings/bind_errors.cpp).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace quoteframe {

// Bad input text: invalid UTF-8, a document over a size limit. Carries the
// byte offset of the first offending byte when there is one (npos otherwise).
// Maps to Python ValueError (subclass quoteframe.InputError).
class InputError : public std::invalid_argument {
 public:
  explicit InputError(const std::string& what,
                      std::size_t byte_offset = static_cast<std::size_t>(-1))
      : std::invalid_argument(what), byte_offset_(byte_offset) {}
  std::size_t byte_offset() const noexcept { return byte_offset_; }

 private:
  std::size_t byte_offset_;
};

// A malformed codebook or language-data file. The message always reads
// "<source>:<line>: <field>: <problem>" so a person can find the spot.
// Maps to Python ValueError (subclass quoteframe.CodebookError).
class ConfigError : public std::invalid_argument {
 public:
  ConfigError(const std::string& source, int line, const std::string& field,
              const std::string& problem)
      : std::invalid_argument(format(source, line, field, problem)),
        source_(source), line_(line), field_(field) {}
  const std::string& source() const noexcept { return source_; }
  int line() const noexcept { return line_; }
  const std::string& field() const noexcept { return field_; }

 private:
  static std::string format(const std::string& source, int line,
                            const std::string& field, const std::string& problem) {
    std::string s = source;
    if (line > 0) s += ":" + std::to_string(line);
    s += ": ";
    // A hostile file can make a field path of any length: keep messages short.
    constexpr std::size_t kMaxField = 200;
    if (field.size() > kMaxField) s += field.substr(0, kMaxField) + "...: ";
    else if (!field.empty()) s += field + ": ";
    return s + problem;
  }
  std::string source_;
  int line_;
  std::string field_;
};

// A failure of ICU itself (a missing data file, an allocation failure inside
// ICU). Not the caller's fault. Maps to Python RuntimeError (quoteframe.IcuError).
class IcuError : public std::runtime_error {
 public:
  IcuError(const std::string& where, int status)
      : std::runtime_error("ICU error in " + where + ": status " + std::to_string(status)),
        status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

}  // namespace quoteframe

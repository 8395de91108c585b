#include "pybind11.hpp"

#include <memory>
#include <string>

#include "quoteframe/text/document.hpp"
#include "quoteframe/text/language.hpp"
#include "quoteframe/text/normalize.hpp"
#include "quoteframe/text/utf8.hpp"

namespace quoteframe::bindings {

using text::Document;
using text::LanguageRegistry;
using text::Pipeline;

namespace {

// Python str -> UTF-8 bytes, or bytes as they are (validated by the core).
std::string to_utf8(const py::handle& obj) {
  if (py::isinstance<py::bytes>(obj)) return obj.cast<std::string>();
  if (py::isinstance<py::str>(obj)) {
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(obj.ptr(), &size);
    if (!data) {
      PyErr_Clear();
      throw std::invalid_argument(
          "text is not encodable as UTF-8 (it holds a lone surrogate code point)");
    }
    return std::string(data, static_cast<std::size_t>(size));
  }
  throw py::type_error("expected str or bytes, got " + std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
}

template <class T>
py::array_t<T> make_array(std::size_t rows, std::size_t cols = 0) {
  if (cols == 0) return py::array_t<T>(static_cast<py::ssize_t>(rows));
  return py::array_t<T>({static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(cols)});
}

}  // namespace

void register_text(py::module_& m) {
  m.def("find_invalid_utf8",
        [](const py::bytes& b) -> py::object {
          const std::string s = b;
          const std::size_t at = text::find_invalid_utf8(s);
          if (at == text::kNpos) return py::none();
          return py::int_(at);
        },
        py::arg("data"), "Byte offset of the first invalid UTF-8 byte, or None.");
  m.def("repair_utf8",
        [](const py::bytes& b) {
          const std::string s = b;
          std::size_t n = 0;
          std::string out;
          {
            py::gil_scoped_release release;
            out = text::repair_utf8(s, &n);
          }
          return py::make_tuple(py::str(out), n);
        },
        py::arg("data"), "Decode with U+FFFD for each ill-formed subsequence: (text, n_replaced).");
  m.def("fold", [](const std::string& s) { return text::Folder::shared().fold_utf8(s); },
        py::arg("text"), "The matching form of a string (see quoteframe.normalize).");
  m.def("normalize_with_map",
        [](const std::string& s) {
          text::Normalized r;
          {
            py::gil_scoped_release release;
            r = text::normalize_with_map(s);
          }
          py::array_t<int32_t> map(static_cast<py::ssize_t>(r.to_orig.size()));
          std::copy(r.to_orig.begin(), r.to_orig.end(), map.mutable_data());
          return py::make_tuple(py::str(r.text), map);
        },
        py::arg("text"));

  py::class_<LanguageRegistry, std::shared_ptr<LanguageRegistry>>(m, "Languages")
      .def_static("from_directory",
                  [](const std::string& dir) {
                    return std::make_shared<LanguageRegistry>(LanguageRegistry::from_directory(dir));
                  },
                  py::arg("path"))
      .def("add_file",
           [](LanguageRegistry& r, const std::string& path) { r.add(text::load_language(path)); },
           py::arg("path"))
      .def("add_string",
           [](LanguageRegistry& r, const std::string& toml, const std::string& source) {
             r.add(text::parse_language(toml, source));
           },
           py::arg("toml"), py::arg("source") = "<string>")
      .def("codes", &LanguageRegistry::codes)
      .def("detect",
           [](const LanguageRegistry& r, const py::handle& t) {
             const std::string s = to_utf8(t);
             text::require_utf8(s, "<text>");
             icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
             return text::detect_language(
                 std::u16string_view(reinterpret_cast<const char16_t*>(u.getBuffer()),
                                     static_cast<std::size_t>(u.length())),
                 r);
           },
           py::arg("text"));

  py::class_<Document>(m, "Document")
      .def_readonly("id", &Document::id)
      .def_readwrite("path", &Document::path)
      .def_readonly("lang", &Document::lang)
      .def_readonly("lang_detected", &Document::lang_detected)
      .def_readonly("has_headline", &Document::has_headline)
      .def_property_readonly("text", [](const Document& d) { return py::str(d.text); })
      .def_property_readonly("n_chars", &Document::n_code_points)
      .def_property_readonly("n_tokens", [](const Document& d) { return d.tokens.size(); })
      .def("paragraph_array",
           [](const Document& d) {
             auto a = make_array<int32_t>(d.paragraphs.size(), 2);
             auto v = a.mutable_unchecked<2>();
             for (std::size_t i = 0; i < d.paragraphs.size(); ++i) {
               v(i, 0) = d.cp(d.paragraphs[i].begin);
               v(i, 1) = d.cp(d.paragraphs[i].end);
             }
             return a;
           },
           "Paragraphs as an (n, 2) array of [start, end) code-point offsets.")
      .def("sentence_array",
           [](const Document& d) {
             auto a = make_array<int32_t>(d.sentences.size(), 3);
             auto v = a.mutable_unchecked<2>();
             for (std::size_t i = 0; i < d.sentences.size(); ++i) {
               v(i, 0) = d.cp(d.sentences[i].begin);
               v(i, 1) = d.cp(d.sentences[i].end);
               v(i, 2) = d.sentences[i].paragraph;
             }
             return a;
           },
           "Sentences as an (n, 3) array: start, end (code points), paragraph.")
      .def("token_arrays",
           [](const Document& d) {
             const std::size_t n = d.tokens.size();
             auto start = make_array<int32_t>(n), end = make_array<int32_t>(n),
                  sentence = make_array<int32_t>(n), paragraph = make_array<int32_t>(n);
             auto kind = make_array<uint8_t>(n), flags = make_array<uint8_t>(n);
             auto s = start.mutable_data(), e = end.mutable_data(), se = sentence.mutable_data(),
                  pa = paragraph.mutable_data();
             auto k = kind.mutable_data(), f = flags.mutable_data();
             for (std::size_t i = 0; i < n; ++i) {
               const auto& t = d.tokens[i];
               s[i] = d.cp(t.begin);
               e[i] = d.cp(t.end);
               se[i] = t.sentence;
               pa[i] = d.sentences.empty() ? 0 : d.sentences[static_cast<std::size_t>(t.sentence)].paragraph;
               k[i] = static_cast<uint8_t>(t.kind);
               f[i] = t.flags;
             }
             py::dict out;
             out["start"] = start;
             out["end"] = end;
             out["kind"] = kind;
             out["flags"] = flags;
             out["sentence"] = sentence;
             out["paragraph"] = paragraph;
             return out;
           },
           "Token columns as numpy arrays (code-point offsets).")
      .def("token_norms",
           [](const Document& d) {
             py::list out(d.tokens.size());
             for (std::size_t i = 0; i < d.tokens.size(); ++i) {
               const auto v = d.norm(i);
               out[i] = py::reinterpret_steal<py::object>(PyUnicode_DecodeUTF16(
                   reinterpret_cast<const char*>(v.data()), static_cast<Py_ssize_t>(v.size() * 2),
                   nullptr, nullptr));
             }
             return out;
           },
           "The folded form of every token (one Python str each: for inspection).");

  py::class_<Pipeline>(m, "TextPipeline")
      .def(py::init([](std::shared_ptr<LanguageRegistry> langs) {
             return std::make_unique<Pipeline>(std::move(langs));
           }),
           py::arg("languages"))
      .def("process",
           [](Pipeline& p, const std::string& id, const py::handle& t, const std::string& lang) {
             std::string s = to_utf8(t);
             py::gil_scoped_release release;
             return p.process(id, std::move(s), lang);
           },
           py::arg("id"), py::arg("text"), py::arg("lang") = "")
      .def("tokenize_pattern",
           [](Pipeline& p, const std::string& s, const std::string& lang) {
             std::vector<std::pair<std::string, bool>> out;
             for (const auto& t : p.tokenize_pattern(s, lang)) {
               std::string r;
               icu::UnicodeString(false, t.form.data(), static_cast<int32_t>(t.form.size())).toUTF8String(r);
               out.emplace_back(r, t.prefix);
             }
             return out;
           },
           py::arg("pattern"), py::arg("lang"));
}

}  // namespace quoteframe::bindings

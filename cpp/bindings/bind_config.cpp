#include "pybind11.hpp"

#include <memory>
#include <string>

#include "quoteframe/codebook/codebook.hpp"
#include "quoteframe/util/toml.hpp"

namespace quoteframe::bindings {

namespace {

using codebook::Codebook;

// Recursion here is bounded by util::kMaxTomlDepth, enforced by the parser.
py::object to_python(const util::Value& v) {
  using Kind = util::Value::Kind;
  switch (v.kind) {
    case Kind::String: return py::str(v.str);
    case Kind::Integer: return py::int_(v.integer);
    case Kind::Float: return py::float_(v.number);
    case Kind::Boolean: return py::bool_(v.boolean);
    case Kind::Array: {
      py::list out(v.array.size());
      for (std::size_t i = 0; i < v.array.size(); ++i) out[i] = to_python(v.array[i]);
      return std::move(out);
    }
    case Kind::Table: break;
  }
  py::dict out;
  for (const auto& [key, value] : v.table) out[py::str(key)] = to_python(value);
  return std::move(out);
}

py::dict forms_dict(const codebook::PerLanguage<std::string>& forms) {
  py::dict out;
  for (const auto& [lang, list] : forms) out[py::str(lang)] = py::cast(list);
  return out;
}

// Patterns as {lang: [(text, weight), ...]}.
py::dict patterns_dict(const codebook::PerLanguage<codebook::Pattern>& patterns) {
  py::dict out;
  for (const auto& [lang, list] : patterns) {
    py::list items(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) items[i] = py::make_tuple(list[i].text, list[i].weight);
    out[py::str(lang)] = std::move(items);
  }
  return out;
}

py::object none_if_empty(const std::string& s) {
  if (s.empty()) return py::none();
  return py::str(s);
}

py::list sides_list(const Codebook& cb) {
  py::list out;
  for (const auto& s : cb.sides) out.append(py::dict(py::arg("id") = s.id, py::arg("label") = s.label, py::arg("line") = s.line));
  return out;
}

py::list actors_list(const Codebook& cb) {
  py::list out;
  for (const auto& a : cb.actors) {
    py::dict d;
    d["id"] = a.id;
    d["label"] = a.label;
    d["side"] = none_if_empty(a.side);
    d["kind"] = a.kind;
    d["gender"] = codebook::gender_name(a.gender);
    d["roles"] = py::cast(a.roles);
    d["names"] = forms_dict(a.names);
    d["descriptions"] = forms_dict(a.descriptions);
    d["line"] = a.line;
    out.append(std::move(d));
  }
  return out;
}

py::list media_list(const Codebook& cb) {
  py::list out;
  for (const auto& m : cb.media)
    out.append(py::dict(py::arg("id") = m.id, py::arg("label") = m.label,
                        py::arg("names") = forms_dict(m.names), py::arg("line") = m.line));
  return out;
}

py::list targets_list(const Codebook& cb) {
  py::list out;
  for (const auto& t : cb.targets)
    out.append(py::dict(py::arg("id") = t.id, py::arg("label") = t.label,
                        py::arg("patterns") = patterns_dict(t.patterns), py::arg("line") = t.line));
  return out;
}

py::list frames_list(const Codebook& cb) {
  py::list out;
  for (const auto& f : cb.frames)
    out.append(py::dict(py::arg("id") = f.id, py::arg("label") = f.label,
                        py::arg("description") = f.description,
                        py::arg("patterns") = patterns_dict(f.patterns), py::arg("line") = f.line));
  return out;
}

py::dict lexicon_dict(const Codebook& cb) {
  return py::dict(py::arg("positive") = patterns_dict(cb.positive),
                  py::arg("negative") = patterns_dict(cb.negative));
}

// Accepts str and os.PathLike.
std::string path_string(const py::object& path) {
  return py::module_::import("os").attr("fspath")(path).cast<std::string>();
}

// Parsing runs without the GIL: only C++ strings cross into it.
std::shared_ptr<Codebook> parse_released(const std::string& text, const std::string& source) {
  py::gil_scoped_release release;
  return std::make_shared<Codebook>(codebook::parse_codebook(text, source));
}

constexpr int kPickleVersion = 1;

}  // namespace

void register_config(py::module_& m) {
  m.def(
      "parse_toml",
      [](const std::string& text, const std::string& source) {
        util::Value root;
        {
          py::gil_scoped_release release;
          root = util::parse_toml(text, source);
        }
        return to_python(root);
      },
      py::arg("text"), py::arg("source") = "<string>",
      "Parse TOML text into nested dicts and lists; raises CodebookError "
      "('<source>:<line>: <field>: <problem>') on any error.");

  py::class_<Codebook, std::shared_ptr<Codebook>>(
      m, "Codebook",
      "A validated codebook (sides, actors, media, targets, frames, lexicon). "
      "Immutable; create it with from_file or from_string.")
      .def_static(
          "from_file",
          [](const py::object& path) {
            const std::string p = path_string(path);
            py::gil_scoped_release release;
            return std::make_shared<Codebook>(codebook::load_codebook(p));
          },
          py::arg("path"), "Load and validate a codebook TOML file; raises CodebookError.")
      .def_static("from_string", &parse_released, py::arg("text"), py::arg("source") = "<string>",
                  "Parse and validate codebook TOML text; `source` names it in error messages.")
      .def_property_readonly("name", [](const Codebook& cb) { return cb.name; })
      .def_property_readonly("title", [](const Codebook& cb) { return cb.title; })
      .def_property_readonly("description", [](const Codebook& cb) { return cb.description; })
      .def_property_readonly("source", [](const Codebook& cb) { return cb.source; })
      .def_property_readonly("languages", [](const Codebook& cb) { return cb.languages; })
      .def_property_readonly("default_target",
                             [](const Codebook& cb) { return none_if_empty(cb.default_target); })
      .def_property_readonly("sides", &sides_list)
      .def_property_readonly("actors", &actors_list)
      .def_property_readonly("media", &media_list)
      .def_property_readonly("targets", &targets_list)
      .def_property_readonly("frames", &frames_list)
      .def_property_readonly("lexicon", &lexicon_dict)
      .def_property_readonly("toml_text", [](const Codebook& cb) { return cb.toml_text; })
      .def(
          "to_dict",
          [](const Codebook& cb) {
            py::dict d;
            d["name"] = cb.name;
            d["title"] = cb.title;
            d["description"] = cb.description;
            d["source"] = cb.source;
            d["languages"] = py::cast(cb.languages);
            d["default_target"] = none_if_empty(cb.default_target);
            d["sides"] = sides_list(cb);
            d["actors"] = actors_list(cb);
            d["media"] = media_list(cb);
            d["targets"] = targets_list(cb);
            d["frames"] = frames_list(cb);
            d["lexicon"] = lexicon_dict(cb);
            return d;
          },
          "Everything in plain dicts and lists (patterns as (text, weight) tuples).")
      .def("__repr__",
           [](const Codebook& cb) {
             return "<Codebook '" + cb.name + "' from " + cb.source + ": " +
                    std::to_string(cb.sides.size()) + " sides, " + std::to_string(cb.actors.size()) +
                    " actors, " + std::to_string(cb.media.size()) + " media, " +
                    std::to_string(cb.targets.size()) + " targets, " +
                    std::to_string(cb.frames.size()) + " frames>";
           })
      // The state is (version, source, TOML text): the text is re-validated
      // on load, so a pickle never depends on the struct layout.
      .def(py::pickle(
          [](const Codebook& cb) { return py::make_tuple(kPickleVersion, cb.source, cb.toml_text); },
          [](const py::tuple& state) {
            if (state.size() != 3 || !py::isinstance<py::int_>(state[0]))
              throw py::value_error("invalid Codebook pickle state");
            const int version = state[0].cast<int>();
            if (version != kPickleVersion)
              throw py::value_error("unsupported Codebook pickle version " + std::to_string(version) +
                                    " (this quoteframe reads version " + std::to_string(kPickleVersion) + ")");
            return parse_released(state[2].cast<std::string>(), state[1].cast<std::string>());
          }))
      // pybind11 only supports pickle protocol >= 2: with 0 and 1, copyreg
      // calls the pybind11 base type's constructor and the process aborts.
      // Returning the protocol-2 recipe for every protocol avoids that path.
      .def("__reduce_ex__", [](const py::object& self, int /*protocol*/) {
        return py::make_tuple(py::module_::import("copyreg").attr("__newobj__"),
                              py::make_tuple(py::type::of(self)), self.attr("__getstate__")());
      });
}

}  // namespace quoteframe::bindings

#include "pybind11.hpp"

namespace quoteframe::bindings {
void register_stats(py::module_& m) { (void)m; }
}  // namespace quoteframe::bindings

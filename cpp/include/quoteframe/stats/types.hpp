// Matrix and vector types shared by the statistics functions.
//
// Matrices are row-major so that a numpy array in C order maps onto them
// without a copy; parameters are Eigen::Ref<const ...> so any contiguous
// block (a numpy array, an Eigen matrix, a Map over a std::vector) binds.
#pragma once

#include <Eigen/Core>
#include <cstdint>

namespace quoteframe::stats {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;
// Labels (groups, clusters) and counts are 64-bit integers, as numpy's default.
using LabelVector = Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1>;
using CountMatrix = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

using MatrixRef = Eigen::Ref<const RowMatrix>;
using VectorRef = Eigen::Ref<const Vector>;
using LabelRef = Eigen::Ref<const LabelVector>;

}  // namespace quoteframe::stats

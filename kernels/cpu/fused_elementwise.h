#pragma once
// A chain of elementwise ops evaluated in one pass over its output (the graph's fused_elementwise
// nodes, core/graph/fuse_elementwise.cpp), numexpr-style: the output is cut into blocks and each
// step runs as one tight loop over a block of registers, so intermediates never reach memory.
#include <keras/core/tensor.h>
#include <keras/kernels/elementwise.h>

#include <cstdint>
#include <vector>

namespace keras::kernels::cpu {

/// One step of a fused program. Registers 0..operands-1 hold the operands (converted to the compute
/// dtype and broadcast to the output); step i writes register operands + i. Bool results are 0 or 1.
struct FusedStep {
  enum class Kind : uint8_t {
    unary,      // apply_unary(op, a, alpha)
    predicate,  // apply_predicate(op, a): isnan, isinf, isfinite, logical_not
    binary,     // BinaryFn(a, b)
    compare,    // CompareFn(a, b): comparisons and logical ops
    to_bool,    // a != 0, a cast to bool
  };
  Kind kind;
  uint8_t op = 0;  // the UnaryOp or BinaryOp
  double alpha = 0.0;
  int a = -1;
  int b = -1;
};

/// The steps and what they compute in: float32, or float64.
struct FusedProgram {
  DType compute = DType::float32;
  std::vector<FusedStep> steps;
  int result = -1;  // the register stored to the output
};

/// Runs `program` over `operands` (each of the output's shape or broadcastable to it; bool, uint8,
/// int32, int64, float32 or float64) into a new tensor of `shape` and `dtype`. The per-element
/// formulas are the unfused kernels' (scalar_ops.h), so the results are the same bits.
Tensor fused_elementwise(const FusedProgram& program, const Tensors& operands, const Shape& shape, DType dtype);

/// Whether fused_elementwise reads and writes this dtype.
bool fused_io_dtype(DType dtype);

/// Whether a fused program computes this unary op as the unfused kernel does on a `size`-element
/// tensor of `dtype` (not where the unfused kernel hands it to oneDNN).
bool fusable_unary(UnaryOp op, double alpha, DType dtype, int64_t size);

}  // namespace keras::kernels::cpu

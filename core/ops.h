#pragma once
/// keras::ops, after keras.ops: every op is differentiable by GradientTape where it makes sense.
#include <keras/core/ops/activations.h>
#include <keras/core/ops/control_flow.h>
#include <keras/core/ops/conv.h>
#include <keras/core/ops/creation.h>
#include <keras/core/ops/elementwise.h>
#include <keras/core/ops/linalg.h>
#include <keras/core/ops/manipulation.h>
#include <keras/core/ops/normalization.h>
#include <keras/core/ops/pooling.h>
#include <keras/core/ops/reduction.h>

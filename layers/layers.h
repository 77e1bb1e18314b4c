#pragma once
/// keras::layers: every built-in layer, plus the Layer base, activations, initializers,
/// regularizers and constraints.
#include <keras/layers/activations.h>
#include <keras/layers/constraints.h>
#include <keras/layers/core/dense.h>
#include <keras/layers/core/input_layer.h>
#include <keras/layers/initializers.h>
#include <keras/layers/keras_tensor.h>
#include <keras/layers/layer.h>
#include <keras/layers/registry.h>
#include <keras/layers/regularizers.h>

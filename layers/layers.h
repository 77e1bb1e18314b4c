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
#include <keras/layers/core/embedding.h>
#include <keras/layers/core/identity.h>
#include <keras/layers/core/lambda_layer.h>
#include <keras/layers/regularization/activity_regularization.h>
#include <keras/layers/regularization/dropout.h>
#include <keras/layers/regularization/gaussian_dropout.h>
#include <keras/layers/regularization/gaussian_noise.h>
#include <keras/layers/reshaping/flatten.h>
#include <keras/layers/reshaping/permute.h>
#include <keras/layers/reshaping/repeat_vector.h>
#include <keras/layers/reshaping/reshape.h>
// NOTE: last, because layers::Activation hides keras::Activation for headers in keras::layers
// that still spell their option type `Activation` (core/dense.h does).
#include <keras/layers/activations/activation.h>

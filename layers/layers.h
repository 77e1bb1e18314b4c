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
#include <keras/layers/merging/add.h>
#include <keras/layers/merging/average.h>
#include <keras/layers/merging/concatenate.h>
#include <keras/layers/merging/dot.h>
#include <keras/layers/merging/maximum.h>
#include <keras/layers/merging/merge.h>
#include <keras/layers/merging/minimum.h>
#include <keras/layers/merging/multiply.h>
#include <keras/layers/merging/subtract.h>
#include <keras/layers/normalization/unit_normalization.h>
#include <keras/layers/preprocessing/normalization.h>
#include <keras/layers/preprocessing/rescaling.h>

#pragma once
/// Everything a keras-cpp user needs: #include <keras/keras.h>
#include <keras/core/device.h>
#include <keras/core/dtype.h>
#include <keras/core/errors.h>
#include <keras/core/gradient_tape.h>
#include <keras/core/ops.h>
#include <keras/core/random.h>
#include <keras/core/shape.h>
#include <keras/core/tensor.h>
#include <keras/core/variable.h>
#include <keras/io/npy.h>
#include <keras/layers/layers.h>
#include <keras/models/model.h>
#include <keras/models/saving.h>
#include <keras/models/sequential.h>

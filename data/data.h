#pragma once
/// keras::data (tf.data-style input pipelines) and keras::datasets.
#include <keras/data/dataset.h>

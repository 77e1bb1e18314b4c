#include <keras/core/ops/activations.h>

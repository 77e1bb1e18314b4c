#include <keras/io/npy.h>

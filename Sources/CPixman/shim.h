// pixman: resampling images to --size (a separable convolution filter), the library cairo
// draws with.
#include <pixman.h>

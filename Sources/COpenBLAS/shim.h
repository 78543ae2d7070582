// Debian's libopenblas-dev installs OpenBLAS' cblas.h (with openblas_set_num_threads)
// through the alternatives system.
#include <cblas.h>

// LAPACKE C interface (Debian: liblapacke-dev, pkg-config "lapacke").
#include <lapacke.h>
// lapack_int is a macro-ish typedef in some builds; give Swift a stable name.
typedef lapack_int expreg_lapack_int;

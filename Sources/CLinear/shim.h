// liblinear 2.3 (Debian liblinear-dev): plain C API, reached only through Learning/Liblinear.swift.
#include <linear.h>

#ifndef SOAKGATE_CLIBPQ_SHIM_H
#define SOAKGATE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif

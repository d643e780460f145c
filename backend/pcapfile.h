/* placeholder */
#ifndef BPFC_BACKEND_PCAPFILE_H
#define BPFC_BACKEND_PCAPFILE_H
#endif

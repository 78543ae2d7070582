// libarchive: the members of a NumPy .npz (a zip) and of CIFAR-10's .tar.gz.
#include <archive.h>
#include <archive_entry.h>

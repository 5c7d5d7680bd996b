// OpenSSL's libcrypto, for SHA-256 only (Debian: libssl-dev, pkg-config "libcrypto").
// The system library replaces swift-crypto, whose vendored BoringSSL was most of a first build.
#include <openssl/evp.h>

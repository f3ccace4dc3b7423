# A Debian package from the same install rules: `cpack -G DEB` in the build folder.
set(CPACK_PACKAGE_NAME "dgnam-studio")
set(CPACK_PACKAGE_VENDOR "DGN-AM Studio")
set(CPACK_PACKAGE_CONTACT "DGN-AM Studio developers <dgnam@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR "DEB")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Shared-library dependencies are found by dpkg-shlibdeps; these are loaded at run time instead:
# the xcb and offscreen platform plugins, and an optimised BLAS behind libblas.so.3.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libtorch1.13, qt6-qpa-plugins, libopenblas0-pthread | libblas3")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "dataset-fashion-mnist")
include(CPack)

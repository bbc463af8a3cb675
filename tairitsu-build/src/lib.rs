//! tairitsu-build

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| burg_fuzz::targets::saml_metadata(data));

//! Prints, per file, its size and the size gzip -9 gives it, using zlib (C) through flate2.
use std::io::{self, Write};

use flate2::{write::GzEncoder, Compression};

fn gzipped_len(data: &[u8]) -> io::Result<usize> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data)?;
    Ok(encoder.finish()?.len())
}

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: gzsize FILE...");
        std::process::exit(2);
    }
    println!("zlib {}", unsafe { std::ffi::CStr::from_ptr(libz_sys::zlibVersion()) }.to_string_lossy());
    let mut failed = false;
    for path in &paths {
        match std::fs::read(path).and_then(|data| Ok((data.len(), gzipped_len(&data)?))) {
            Ok((raw, packed)) => println!("{path}: {raw} -> {packed} bytes ({:.1} %)", 100.0 * packed as f64 / raw.max(1) as f64),
            Err(e) => {
                eprintln!("{path}: {e}");
                failed = true;
            }
        }
    }
    std::process::exit(i32::from(failed));
}

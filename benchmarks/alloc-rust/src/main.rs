//! Allocation under contention: THREADS threads each make ROUNDS heap allocations of 16..2063 bytes,
//! keeping up to 64 alive and replacing one at random, so malloc and free run concurrently all the
//! time. The work is fixed (not scaled to the CPU count), so every machine times the same program.
use std::env;
use std::thread;

fn arg(n: usize, default: usize) -> usize {
    env::args().nth(n).and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn main() {
    let threads = arg(1, 4);
    let rounds = arg(2, 200_000);
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            thread::spawn(move || {
                let mut live: Vec<Vec<u8>> = Vec::with_capacity(64);
                let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1);
                let mut bytes = 0usize;
                for i in 0..rounds {
                    // xorshift64: a cheap, seeded sequence, the same on every run
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let v = vec![(i & 0xff) as u8; 16 + (x % 2048) as usize];
                    bytes += v.len();
                    if live.len() < 64 {
                        live.push(v);
                    } else {
                        live[((x >> 11) % 64) as usize] = v;
                    }
                }
                bytes + live.iter().map(|v| v[0] as usize).sum::<usize>()
            })
        })
        .collect();
    let total: usize = workers.into_iter().map(|w| w.join().expect("worker panicked")).sum();
    println!("{threads} threads allocated {total} bytes");
}

//! `net::literal_addrs`: which addresses an adapter connects to without a
//! lookup on its blocking pool.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use async_with_resources::net::literal_addrs;

#[test]
fn every_literal_form_resolves_without_a_lookup() {
    let v4: SocketAddr = "127.0.0.1:8080".parse().unwrap();
    let v6: SocketAddr = "[::1]:8080".parse().unwrap();
    assert_eq!(literal_addrs(&v4), Some(vec![v4]));
    assert_eq!(
        literal_addrs(&SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080)),
        Some(vec![v4])
    );
    assert_eq!(
        literal_addrs(&SocketAddrV6::new(Ipv6Addr::LOCALHOST, 8080, 0, 0)),
        Some(vec![v6])
    );
    assert_eq!(
        literal_addrs(&(IpAddr::V6(Ipv6Addr::LOCALHOST), 8080)),
        Some(vec![v6])
    );
    assert_eq!(literal_addrs(&(Ipv4Addr::LOCALHOST, 8080)), Some(vec![v4]));
    assert_eq!(literal_addrs(&(Ipv6Addr::LOCALHOST, 8080)), Some(vec![v6]));
    static BOTH: [SocketAddr; 2] = [
        SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 8080)),
        SocketAddr::V6(SocketAddrV6::new(Ipv6Addr::LOCALHOST, 8080, 0, 0)),
    ];
    assert_eq!(literal_addrs(&&BOTH[..]), Some(vec![v4, v6]));
    assert_eq!(literal_addrs(&"[::1]:8080"), Some(vec![v6]));
    assert_eq!(
        literal_addrs(&String::from("127.0.0.1:8080")),
        Some(vec![v4])
    );
    assert_eq!(literal_addrs(&("127.0.0.1", 8080)), Some(vec![v4]));
    assert_eq!(literal_addrs(&(String::from("::1"), 8080)), Some(vec![v6]));
}

#[test]
fn names_and_malformed_addresses_are_left_to_the_lookup() {
    // A name may need DNS; a malformed address gets the lookup's own error.
    assert_eq!(literal_addrs(&"localhost:8080"), None);
    assert_eq!(literal_addrs(&String::from("example.com:443")), None);
    assert_eq!(literal_addrs(&("localhost", 8080)), None);
    assert_eq!(literal_addrs(&"127.0.0.1"), None);
    assert_eq!(literal_addrs(&"127.0.0.1:99999"), None);
}

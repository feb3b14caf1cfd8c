//! Integration tests, benches and examples for livetemplate live in tests/, benches/ and examples/.

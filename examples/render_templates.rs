fn main() {
    let _ = charte::render::Engine::new();
}

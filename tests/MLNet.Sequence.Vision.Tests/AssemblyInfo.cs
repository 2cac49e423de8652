// Seeded training sets libtorch's global generator and thread count; test classes running at once would share them.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

module livetemplate/go_corpus_gen

go 1.19

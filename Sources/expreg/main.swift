import ExpRegPipeline
print("expreg")

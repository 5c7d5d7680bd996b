import ExpRegCore
